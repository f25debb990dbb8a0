# The verbs of this repository. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

MVN ?= mvn -B -ntp
SERVICES := greeter timezones
JARS := $(foreach s,$(SERVICES),service/$(s)/target/$(s).jar)
JAVA_SOURCES := $(shell find service -name '*.java' -o -name '*.yml' -o -name 'pom.xml' -o -name '*.xml' 2>/dev/null | grep -v /target/)

.PHONY: help build run-server test bench soak format lint test-java test-charts test-scripts test-observability clean

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

build: $(JARS) ## build both service jars (skips tests)

$(JARS) &: $(JAVA_SOURCES)
	$(MVN) -q -f service/pom.xml package -DskipTests -Dfmt.skip

run-server: build ## run greeter on :8080 (admin :8081) and timezones on :8090 (admin :8091); Ctrl-C stops both
	scripts/run-local

test: lint test-java test-charts test-scripts test-observability ## every check of the repo
	@echo "make test: all checks passed"

lint: ## yamllint on every YAML file, shellcheck on every script
	yamllint --strict .
	shellcheck $$(grep -rlE '^#!/usr/bin/env bash' .ci scripts observability) scripts/lib/*.sh scripts/test/*.bash

test-java: ## Java unit and application tests, google-java-format check, coverage
	$(MVN) -f service/pom.xml verify

test-charts: build ## Helm chart and Istio objects: render, schema, fabric8 models, policies
	$(MVN) -f charts/verify/pom.xml verify

test-scripts: build ## bats tests of every script and of the GitLab pipeline
	bats --print-output-on-failure $(BATS_FLAGS) scripts/test

test-observability: build ## promtool, amtool, dashboards, a real Prometheus scraping the services
	observability/test/run

bench: build ## load benchmark (wrk): greeter against a bare Jetty floor; prints a table
	scripts/bench/run

soak: build ## 5 minutes of mixed load on both services: errors and heap growth (SOAK_SECONDS to change)
	scripts/bench/soak

format: ## rewrite Java sources with google-java-format
	$(MVN) -q -f service/pom.xml com.spotify.fmt:fmt-maven-plugin:format

clean: ## remove build output
	$(MVN) -q -f service/pom.xml clean
