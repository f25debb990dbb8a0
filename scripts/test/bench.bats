#!/usr/bin/env bats
# make bench and make soak: their scripts measure what they claim on the real jars. Runs are
# cut to a few seconds here; the figures themselves belong to the README, not to a test.

load test_helper

@test "bench --help names its goals and knobs" {
  run "$REPO_ROOT/scripts/bench/run" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *BENCH_SECONDS* && "$output" == *">= 0.6"* ]]
}

@test "a short bench prints every row and the three goals" {
  BENCH_SECONDS=2 BENCH_WARMUP_SECONDS=1 BENCH_CONNECTIONS=4 run "$REPO_ROOT/scripts/bench/run"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" =~ bare-jetty\ +[0-9]+ ]]
  [[ "$output" =~ greeter-root\ +[0-9]+ ]]
  [[ "$output" =~ greeter-secret\ +[0-9]+\ +[0-9.]+\ +[0-9.]+\ +0\  ]]
  [[ "$output" == *"greeter / bare Jetty on /"* ]]
  [[ "$output" == *"start to 200 /healthcheck"*"cold start"* ]]
  [[ "$output" =~ greeter\ RSS\ after\ load.*AppCDS\ archive\ [1-9][0-9]*\ MB ]]
}

@test "soak rejects a setting that is not a number before starting anything" {
  SOAK_SECONDS=five run "$REPO_ROOT/scripts/bench/soak"
  [ "$status" -eq 1 ]
  [[ "$output" == *"SOAK_* values must be whole numbers, got 'five'"* ]]
}

@test "a short soak passes its checks on the real services" {
  SOAK_SECONDS=3 SOAK_WARMUP_SECONDS=2 SOAK_CONNECTIONS=4 run "$REPO_ROOT/scripts/bench/soak"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *heap* ]]
}
