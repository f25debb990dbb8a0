# The verbs of this repository. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# kubectl, when scripts/setup-tools had to install it, lives under node_modules (after the
# machine's own tools on PATH, so an installed kubectl wins).
export PATH := $(PATH):$(CURDIR)/node_modules/.tools/bin

MVN ?= mvn -B -ntp
SERVICES := greeter timezones
JARS := $(foreach s,$(SERVICES),service/$(s)/target/$(s).jar)
JAVA_SOURCES := $(shell find service -name '*.java' -o -name '*.yml' -o -name 'pom.xml' -o -name '*.xml' 2>/dev/null | grep -v /target/)

.PHONY: help setup setup-run-server build run-server test bench soak format lint test-java test-charts test-scripts test-observability pictures clean

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

setup: ## install what `make test` needs and this machine lacks (make test runs it first)
	@scripts/setup-tools --for test

setup-run-server:
	@scripts/setup-tools --for run-server

# Every verb sets up what it needs first; when all is there that costs well under a second.
lint test-java test-charts test-scripts test-observability bench soak pictures: setup
format clean: setup-run-server

build: $(JARS) ## build both service jars (skips tests)

$(JARS) &: $(JAVA_SOURCES) | setup-run-server
	$(MVN) -q -f service/pom.xml package -DskipTests -Dfmt.skip

run-server: build ## run greeter on :8080 (admin :8081) and timezones on :8090 (admin :8091); Ctrl-C stops both
	scripts/run-local

test: setup lint test-java test-charts test-scripts test-observability ## every check of the repo (installs missing tools first)
	@echo "make test: all checks passed"

lint: ## yamllint on every YAML file, shellcheck on every script
	yamllint --strict .
	shellcheck $$(grep -rlE '^#!/usr/bin/env bash' .ci scripts observability) scripts/lib/*.sh scripts/test/*.bash

test-java: ## Java unit and application tests, google-java-format check, coverage
	$(MVN) -f service/pom.xml verify

test-charts: build ## Helm chart and Istio objects: render, schema, fabric8 models, policies
	$(MVN) -f charts/verify/pom.xml verify

# Two files at a time (their tests stay in order, each file shares its set-up): most tests wait on
# processes, not on the CPU. The slowest file first, so no lane is left with it at the end.
BATS_JOBS ?= 2
BATS_FILES := scripts/test/pipeline.bats $(filter-out scripts/test/pipeline.bats,$(wildcard scripts/test/*.bats))

test-scripts: build ## bats tests of every script and of the GitLab pipeline
	bats --jobs $(BATS_JOBS) --no-parallelize-within-files --print-output-on-failure $(BATS_FLAGS) $(BATS_FILES)

test-observability: build ## promtool, amtool, dashboards, a real Prometheus scraping the services
	observability/test/run

pictures: build ## draw the dashboards into docs/images/*.png from their queries against a real Prometheus (about 4 min)
	observability/pictures/run

bench: build ## load benchmark (wrk): greeter against a bare Jetty floor; prints a table
	scripts/bench/run

soak: build ## 5 minutes of mixed load on both services: errors and heap growth (SOAK_SECONDS to change)
	scripts/bench/soak

format: ## rewrite Java sources with google-java-format
	$(MVN) -q -f service/pom.xml com.spotify.fmt:fmt-maven-plugin:format

clean: ## remove build output
	$(MVN) -q -f service/pom.xml clean
