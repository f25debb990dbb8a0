#!/usr/bin/env bats
# make bench and make soak: their scripts measure what they claim on the real jars. Runs are
# cut to a few seconds here; the figures themselves belong to docs/benchmark.md, not to a test.

load test_helper

@test "bench --help names its knobs and every figure's floor and goal" {
  run "$REPO_ROOT/scripts/bench/run" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *BENCH_SECONDS* && "$output" == *BENCH_FIRST_SECONDS* && "$output" == *BENCH_WARMUP_MAX_SECONDS* ]]
  [[ "$output" == *"floor >= 0.4"*"goal >= 0.8"* && "$output" == *"floor <= 1.2 s"* ]]
}

@test "a short bench prints every row, and every figure with its floor and goal" {
  BENCH_SECONDS=2 BENCH_WARMUP_SECONDS=1 BENCH_WARMUP_MAX_SECONDS=1 BENCH_WINDOW_SECONDS=1 \
    BENCH_CONNECTIONS=4 BENCH_FIRST_SECONDS=1 run "$REPO_ROOT/scripts/bench/run"
  echo "$output"
  [ "$status" -eq 0 ]
  # The JVM runs with the sizing the chart gives a pod, read from its values.
  [[ "$output" == *"JVM as the pod runs it: -XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0"* ]]
  [[ "$output" =~ bare-jetty\ +[0-9]+ ]]
  [[ "$output" =~ greeter-root\ +[0-9]+ ]]
  [[ "$output" =~ greeter-secret\ +[0-9]+\ +[0-9.]+\ +[0-9.]+\ +0\  ]]
  [[ "$output" =~ greeter-first\ +[0-9]+\ +[0-9.]+\ +[0-9.]+\ +0\  ]]
  [[ "$output" =~ greeter-steady\ +[0-9]+ ]]
  # Each target is warmed until steady, at most BENCH_WARMUP_MAX_SECONDS: one window of 1 s here,
  # too few to call it steady (three windows must agree), and the report says so.
  for target in bare-jetty greeter-root greeter-secret greeter-steady; do
    [[ "$output" =~ $target\ +NOT\ steady\ after\ [12]\ s ]]
  done
  [[ "$output" =~ "greeter / vs bare Jetty"\ +[0-9.]+\ +floor\ \>=\ 0.4\ +goal\ \>=\ 0.8 ]]
  [[ "$output" =~ "greeter /secret vs bare Jetty"\ +[0-9.]+\ +floor\ \>=\ 0.35 ]]
  [[ "$output" =~ "p99 greeter / (ms)"\ +[0-9.]+\ +floor\ \<=\ 5 ]]
  [[ "$output" =~ "start to 200 /healthcheck (s)"\ +[0-9.]+\ +floor\ \<=\ 1.2\ +goal\ \<=\ 1\ .*cold\ start ]]
  [[ "$output" =~ "greeter RSS after load (MB)"\ +[0-9.]+\ +floor\ \<=\ 220\ +goal\ \<=\ 200.*AppCDS\ archive\ [1-9][0-9]*\ MB ]]
  [[ "$output" =~ "first 1 s after ready / steady"\ +[0-9.]+\ .*goal\ \>=\ 0.5.*on\ 1\ CPU ]]
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
