# Makefile: builds the whole suite (libcommon, protobuf contracts, six daemons,
# tests, bench and fuzz targets) and runs it. `make help` lists the targets.

SHELL    := /bin/bash
BUILD    ?= build
GEN      := $(BUILD)/gen
SERVICES := edge identity authz messaging onboarding privacy
PKGS     := libnats libprotobuf-c libevent libevent_pthreads libpq jansson libsodium libxml-2.0 \
            libcrypto libssl libevent_openssl libqrencode libpng libcurl vips xmlsec1-openssl zlib
CC       ?= cc
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   := -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) -Wall -Wextra -Werror -MMD -MP \
            -I$(GEN) -Ilibcommon $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS  := $(SAN)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LIBS := $(shell pkg-config --libs criterion libcurl 2>/dev/null)

PROTOS    := $(wildcard proto/*.proto)
GEN_C     := $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(PROTOS))
GEN_H     := $(GEN_C:.c=.h)
GEN_O     := $(patsubst $(GEN)/%.c,$(BUILD)/obj/gen/%.o,$(GEN_C))
COMMON_C  := $(wildcard libcommon/*.c)
COMMON_O  := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_C))
LIBCOMMON := $(BUILD)/libcommon.a

BINS        := $(addprefix $(BUILD)/bin/,$(SERVICES))
UNIT_C      := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_C))
INTEG_C     := $(wildcard tests/integration/*.c)
INTEG_BIN   := $(BUILD)/tests/integration/integration
BENCH_BINS  := $(BUILD)/bin/hello_server $(BUILD)/bin/auth_bench $(BUILD)/bin/check_bench

.PHONY: all build up down test unit integration asan bench fuzz clean help format chaos chaos-short
all build: $(BINS) $(BENCH_BINS)

help:
	@echo "make up        install missing packages, build, start the whole suite under var/"
	@echo "make down      stop everything make up started"
	@echo "make test      unit tests, then integration tests on a private stack"
	@echo "make asan      the same tests built with AddressSanitizer and UBSan"
	@echo "make nats-cluster-check  the suite on a 3-node TLS+NKey NATS cluster, a node killed"
	@echo "make chaos     fault suite: kill -9 of each daemon, nats and Postgres restarts under load"
	@echo "make deploy-check  images, docker-compose.yml and deploy/ proven with podman (root; ~10 min)"
	@echo "make bench     throughput and latency through the edge beside a plain libevent server"
	@echo "make fuzz      libFuzzer + ASan on the request body parsers, bounded time"

# --- generated protobuf code (never committed) ---
$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) -Iproto $<

$(BUILD)/obj/gen/%.o: $(GEN)/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# tests get Criterion's gt() made strict (tests/cr_strict.h)
$(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/integration/%.o: CFLAGS += -include tests/cr_strict.h

$(LIBCOMMON): $(COMMON_O) $(GEN_O)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# --- daemons: services/<svc>/*.c linked with libcommon ---
define service_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$(1)/*.c)) $(LIBCOMMON)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ -o $$@ $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_rule,$(s))))

$(BUILD)/bin/hello_server: $(BUILD)/obj/tests/bench/hello_server.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bin/auth_bench: $(BUILD)/obj/tests/bench/auth_bench.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(TEST_LIBS) $(LDLIBS)

$(BUILD)/bin/check_bench: $(BUILD)/obj/tests/bench/check_bench.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# --- tests ---
# A unit test may link service sources it names in a "// links: a.c b.c" line.
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(patsubst %.c,$(BUILD)/obj/%.o,$(shell sed -n 's|^// links: ||p' tests/unit/$*.c)) \
	    $(LIBCOMMON) -o $@ $(TEST_LIBS) $(LDLIBS)
$(UNIT_BINS): $(foreach t,$(UNIT_C),$(patsubst %.c,$(BUILD)/obj/%.o,$(shell sed -n 's|^// links: ||p' $(t))))

$(INTEG_BIN): $(patsubst %.c,$(BUILD)/obj/%.o,$(INTEG_C)) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(TEST_LIBS) $(LDLIBS)

RESULTS := $(BUILD)/test-results.log

unit: $(UNIT_BINS)
	@mkdir -p $(BUILD); set -eo pipefail; for t in $(UNIT_BINS); do echo "== $$t"; \
	    $$t --jobs 2 2>&1 | tee -a $(RESULTS); done

integration: $(BINS) $(INTEG_BIN)
	@mkdir -p $(BUILD); set -o pipefail; \
	    BUILD=$(BUILD) scripts/with-test-stack.sh $(INTEG_BIN) --jobs 1 2>&1 | tee -a $(RESULTS)

# The fault suite (tests/chaos/chaos.py) on a private stack: `chaos` is the
# full form (a few minutes), `chaos-short` the part of `make test` (< 90 s).
# Both print a "Synthesis:" line (one test per check) that `test` totals; a
# run that ends without one counts as one crash.
chaos: $(BINS)
	BUILD=$(BUILD) scripts/chaos.sh full

chaos-short: $(BINS)
	@mkdir -p $(BUILD); BUILD=$(BUILD) CHAOS_RESULTS=$(abspath $(RESULTS)) scripts/chaos.sh short

# Images, compose file and Kubernetes manifests proven with podman (README, "make deploy-check").
.PHONY: deploy-check
deploy-check:
	nice -n 5 scripts/deploy-check.sh
# Issue 15's "Done when" alone (also part of `test`, about 40 s): the
# suite's daemons on a 3-node nats-server cluster (TLS, NKeys, EVENTS
# replicated 3 times) under load, one node killed with -9, another in
# lame-duck mode.
.PHONY: nats-cluster-check
nats-cluster-check: $(BINS) $(INTEG_BIN)
	@mkdir -p $(BUILD); BUILD=$(BUILD) scripts/with-test-stack.sh \
	    $(INTEG_BIN) --jobs 1 --filter 'nats_cluster_load/*'

# Ends with one line that totals every Criterion binary's synthesis.
test:
	@rm -f $(RESULTS)
	@$(MAKE) --no-print-directory build unit integration
	@$(MAKE) --no-print-directory chaos-short || true
	@awk -F'[:|]' '/Synthesis:/ {p += $$5; f += $$7 + $$9} \
	    END {printf "tests: %d passed, %d failed\n", p, f; exit f > 0}' $(RESULTS)

asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

bench: build
	BUILD=$(BUILD) scripts/bench.sh

FUZZ_CC ?= clang
FUZZ_TIME ?= 60
fuzz: $(GEN_H)
	@mkdir -p $(BUILD)/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I$(GEN) -Ilibcommon \
	    $(shell pkg-config --cflags $(PKGS)) tests/fuzz/fuzz_request.c \
	    $(filter-out %/cm_admin.c %/cm_service.c %/cm_principal.c %/cm_jsonapi.c,$(COMMON_C)) $(GEN_C) services/edge/routes.c services/edge/auth_header.c services/edge/auth_cache.c services/edge/http_guard.c \
	    -o $(BUILD)/fuzz/fuzz_request $(LDLIBS)
	@mkdir -p $(BUILD)/fuzz/corpus
	cp -n tests/fuzz/corpus/* $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	$(BUILD)/fuzz/fuzz_request -max_total_time=$(FUZZ_TIME) -max_len=65536 $(BUILD)/fuzz/corpus

up:
	scripts/deps.sh
	$(MAKE) build
	BUILD=$(BUILD) scripts/stack.sh up

down:
	scripts/stack.sh down

format:
	clang-format -i $(COMMON_C) libcommon/*.h services/*/*.c services/*/*.h tests/*/*.c

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
