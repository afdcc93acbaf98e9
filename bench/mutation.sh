#!/usr/bin/env bash
# Mutation testing of the core with mutmut (slow: not part of CI).
#
#   bench/mutation.sh                 every module below
#   bench/mutation.sh queue.jobs ...  only these modules, in this order
#
# Each module runs in a scratch copy of the tree (bench/.mutation/NAME) whose [tool.mutmut]
# gets that module as the only file to mutate and its own small test selection, so a module's
# run stays bounded. One worker at the lowest priority: the machine is shared.
#   MUTATION_SAMPLE=N   test a fixed random sample of N mutants per module (0: all, the default)
#   MUTATION_SEED=S     the sample's seed (default 1)
# Output: per module, the kill rate and every mutant left alive; the summary is also kept in
# bench/.mutation/summary.txt. `cd bench/.mutation/NAME && ../../../.venv/bin/mutmut show MUTANT`
# shows one mutant's diff.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
mutmut="$root/.venv/bin/mutmut"
sample=${MUTATION_SAMPLE:-0}
seed=${MUTATION_SEED:-1}

# name | file mutated | tests that exercise it (kept small: each mutant runs those reaching it)
modules=(
  "sync.apply|qbwc_service/sync/running/apply.py|tests/sync/test_sync_apply.py"
  "sync.engine|qbwc_service/sync/running/engine.py|tests/sync/test_sync_engine.py"
  "queue.jobs|qbwc_service/queue/jobs.py|tests/queue/test_queue_jobs.py tests/queue/test_queue_changes.py"
  "queue.dequeue|qbwc_service/queue/dequeue.py|tests/queue/test_queue_dequeue.py"
  "queue.states|qbwc_service/queue/states.py|tests/queue/test_queue_states.py tests/queue/test_queue_changes.py"
  "queue.ops|qbwc_service/queue/ops.py|tests/queue/test_queue_ops.py"
  "qbxml.validate|qbwc_service/qbxml/validate.py|tests/qbxml/test_validate.py tests/qbxml/test_build.py"
  "qbxml.build|qbwc_service/qbxml/build.py|tests/qbxml/test_build_fields.py tests/qbxml/test_build.py tests/qbxml/test_order.py"
)

toml_list() {  # words -> a TOML array of strings
  local out="" w
  for w in "$@"; do out+="\"$w\", "; done
  echo "[${out%, }]"
}

mkdir -p "$root/bench/.mutation"
summary="$root/bench/.mutation/summary.txt"
: > "$summary"
declare -A entry_of
order=()
for entry in "${modules[@]}"; do entry_of[${entry%%|*}]=$entry; order+=("${entry%%|*}"); done
[[ $# -gt 0 ]] && order=("$@")  # in the order asked
for name in "${order[@]}"; do
  [[ -n "${entry_of[$name]:-}" ]] || { echo "unknown module $name (known: ${!entry_of[*]})"; exit 2; }
  IFS='|' read -r name file tests <<< "${entry_of[$name]}"
  work="$root/bench/.mutation/$name"
  rm -rf "$work" && mkdir -p "$work"
  selection=()
  for t in $tests; do [[ -e "$root/$t" ]] && selection+=("$t"); done
  cp -r "$root/qbwc_service" "$root/tests" "$root/migrations" "$root/pyproject.toml" "$work/"
  find "$work" -name __pycache__ -prune -exec rm -rf {} +
  {
    echo "only_mutate = [\"$file\"]"
    echo "pytest_add_cli_args_test_selection = $(toml_list "${selection[@]}")"
  } >> "$work/pyproject.toml"
  echo "== $name: $file, tests: ${selection[*]}"
  cd "$work"
  nice -n 19 "$py" "$root/bench/mutation_tool.py" names "$file" "$sample" "$seed" > names.txt 2> generate.log
  echo "   $(wc -l < names.txt) mutants to test$([[ $sample -gt 0 ]] && echo " (a sample, seed $seed)")"
  start=$SECONDS
  # mutmut's own exit status says nothing about survivors; the report below does.
  xargs -a names.txt nice -n 19 "$mutmut" run --max-children 1 > run.log 2>&1 || {
    echo "   mutmut failed, see $work/run.log"; tail -5 run.log; cd "$root"; continue; }
  nice -n 19 "$py" "$root/bench/mutation_tool.py" report "$file" names.txt | tee report.txt
  echo "   took $((SECONDS - start)) s"
  head -1 report.txt >> "$summary"
  cd "$root"
done
echo "== summary"
cat "$summary"
