#!/usr/bin/env bash
# Sets up, trains if needed, and runs every process of the assistant; Ctrl-C stops them all.
#   Rasa server       http://localhost:5005  (REST: /webhooks/rest/webhook, socket.io)
#   Action server     http://localhost:5055
#   Demo page + chat  http://localhost:8080
#   Review console    http://localhost:8081  (staff; create a user with `make staff-user`)
#   Retention         deletes conversations older than RETENTION_DAYS, every hour
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

scripts/setup.sh
scripts/train.sh
mkdir -p var logs

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "run: stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

start() {  # start NAME COMMAND...: runs in the background, log in logs/NAME.log
  local name=$1; shift
  "$@" >"logs/$name.log" 2>&1 &
  pids+=("$!")
  echo "run: started $name (pid $!, log logs/$name.log)"
}

.venv/bin/python -m actions --check
start actions .venv/bin/python -m actions --port 5055
start rasa .venv/bin/python -m rasa_server run --port 5005 --credentials credentials.yml --endpoints endpoints.yml
start webchat .venv/bin/python -m webchat.serve --port 8080 --chat-server http://localhost:5005
start retention .venv/bin/python -m privacy.retention --every 3600
# a stable session key for the console, made once and kept out of git (var/ is ignored)
[ -s var/review_secret ] || .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' > var/review_secret
export REVIEW_SECRET_KEY="${REVIEW_SECRET_KEY:-$(cat var/review_secret)}"
export REVIEW_COOKIE_SECURE="${REVIEW_COOKIE_SECURE:-0}"  # plain http on localhost; set 1 behind https
start review .venv/bin/python -m review serve --host 127.0.0.1 --port 8081

echo "run: waiting for the Rasa server to load the model ..."
for _ in $(seq 1 180); do
  if curl -fsS -m 2 -X POST localhost:5005/webhooks/rest/webhook -H 'Content-Type: application/json' \
       -d '{"sender":"run-probe","message":"hei"}' >/dev/null 2>&1; then
    echo "run: ready. Web chat: http://localhost:8080/  REST: curl -X POST localhost:5005/webhooks/rest/webhook -d '{\"sender\":\"meg\",\"message\":\"hei\"}'"
    break
  fi
  sleep 1
done
echo "run: Ctrl-C stops everything"
wait -n "${pids[@]}" || true
echo "run: a process stopped; see logs/" >&2
