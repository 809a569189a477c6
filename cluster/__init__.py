"""The assistant as a cluster: several Rasa servers sharing PostgreSQL (tracker store) and Redis
(lock store) behind nginx, with action servers beside them. See cluster/README.md."""
