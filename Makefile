# Forløpsassistenten task runner. Every target sets up what it needs first.
.PHONY: setup train run test unit shell eval bench staff-user clean

# Create .venv (Python 3.10), install the pinned packages, install or build the spaCy model
setup:
	scripts/setup.sh

# Train the model when data, domain or config changed
train: setup
	scripts/train.sh

# Set up, train if needed, and start every process (Ctrl-C stops them all)
run:
	scripts/run.sh

# Set up, train if needed, and run the whole test suite
test:
	scripts/test.sh

# Only the fast unit tests (no servers)
unit: setup
	.venv/bin/python -m pytest tests/unit

# Talk to the assistant in the terminal (needs the action server: make run in another shell)
shell: train
	PYTHONPATH=. .venv/bin/python -m rasa_server shell --endpoints endpoints.yml

# Create a review console account (asks for the password): make staff-user NAME=kari ROLE=admin,
# or a reviewer of some municipalities: make staff-user NAME=ola MUNICIPALITIES="kommune-a kommune-b"
staff-user: setup
	PYTHONPATH=. .venv/bin/python -m review create-user $(NAME) --role $(or $(ROLE),reviewer) $(foreach m,$(MUNICIPALITIES),--municipality $(m))

# Quality report: held-out accuracy, macro F1, crisis recall/precision, ours vs stock Rasa -> reports/
eval: setup
	PYTHONPATH=. .venv/bin/python -m evaluation.quality
	PYTHONPATH=. .venv/bin/python -m evaluation.behaviour

# Speed report: latency, throughput, memory, training time, ours vs stock Rasa -> reports/
bench: setup
	PYTHONPATH=. .venv/bin/python -m evaluation.bench

# Remove trained models and local runtime data (not the virtual environment)
clean:
	rm -rf models/*.tar.gz var logs reports .rasa

.PHONY: cluster loadtest

# Set up, train if needed, and run the cluster: 2 Rasa + 2 action servers, PostgreSQL, Redis, nginx on :8080
cluster:
	scripts/cluster.sh

# Load test through nginx: 200 conversations, one vs two Rasa servers, checked in PostgreSQL -> reports/loadtest.md
loadtest: train
	PYTHONPATH=. .venv/bin/python -m evaluation.loadtest

.PHONY: deploy-model backup restore-drill

# Put a model live in the running cluster (make cluster), one Rasa server at a time: make deploy-model
# (trains if the data changed, then the newest model in models/), or make deploy-model MODEL=models/x.tar.gz
deploy-model: $(if $(MODEL),setup,train)
	PYTHONPATH=. .venv/bin/python -m cluster deploy-model $(if $(MODEL),--model $(MODEL))

# pg_dump of the running cluster's database (tracker store, review console) and its manifest -> var/cluster/backups/
backup: setup
	PYTHONPATH=. .venv/bin/python -m cluster backup

# Restore a dump into a throw-away PostgreSQL, compare it with its manifest, serve the console on it: make restore-drill DUMP=var/cluster/backups/x.dump
restore-drill: setup
	PYTHONPATH=. .venv/bin/python -m cluster restore $(DUMP) --serve-review $(or $(PORT),8082)
