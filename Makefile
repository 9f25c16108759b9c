# e2eecall: make run starts the app; make test runs every test.
# Prerequisites: Go 1.26, Node.js with npm, git, and (for the browser tests) Chromium.

GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
ADDR    ?= 127.0.0.1:3010
ARGS    ?=
# Each fuzz target runs for FUZZTIME (make test FUZZTIME=1m for a longer run).
FUZZTIME ?= 10s

WASM       := wasm_exec/app.wasm
BIN        := bin/e2eecall
WASM_EXEC  := wasm_exec/wasm_exec.js
# app.wasm is built against a copy of go-app without its server half and regexp routes (see the patch).
GOAPP      := github.com/maxence-charriere/go-app/v10
GOAPP_PATCH := patches/go-app-browser-without-server.patch
WASM_MOD   := bin/wasm/go.mod
OPENTOK_JS := static/opentok/opentok.min.js
GO_SOURCES := $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './e2e/*' -not -path './bin/*')
STATIC     := $(shell find static/boot static/css static/icons static/lab static/ot -type f) server/site/app-worker.js

.PHONY: all build run test vet test-host test-fuzz test-wasm test-node test-browser bench clean

all: build

## build: app.wasm (compressed), wasm_exec.js, OpenTok.js and the server binary bin/e2eecall
build: $(BIN)

$(WASM_EXEC): $(GOROOT)/lib/wasm/wasm_exec.js
	cp $< $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(OPENTOK_JS): node_modules/.package-lock.json
	cp node_modules/@opentok/client/dist/js/opentok.min.js $@

$(WASM_MOD): go.mod go.sum $(GOAPP_PATCH)
	rm -rf bin/wasm && mkdir -p bin/wasm
	$(GO) mod download $(GOAPP)
	cp -r "$$($(GO) list -m -f '{{.Dir}}' $(GOAPP))" bin/wasm/go-app
	chmod -R u+w bin/wasm/go-app
	git apply --directory=bin/wasm/go-app $(GOAPP_PATCH)
	cp go.sum bin/wasm/go.sum
	cp go.mod $@
	$(GO) mod edit -modfile=$@ -replace=$(GOAPP)=$(CURDIR)/bin/wasm/go-app

$(WASM): $(GO_SOURCES) $(WASM_MOD)
	GOOS=js GOARCH=wasm $(GO) build -modfile=$(WASM_MOD) -trimpath -ldflags='-s -w' -o $@ ./app
	$(GO) run ./tools/precompress $@

$(BIN): $(WASM) $(WASM_EXEC) $(OPENTOK_JS) $(GO_SOURCES) $(STATIC)
	$(GO) build -trimpath -o $@ ./server

## run: build, then start the server on http://localhost:3010 (make run ARGS='-csp no-wasm')
run: build
	@echo "e2eecall: open http://localhost:3010"
	./$(BIN) -addr $(ADDR) $(ARGS)

## test: vet, host tests (race), fuzzing, GOOS=js tests, node tests, headless Chromium tests
test: vet test-host test-fuzz test-wasm test-node test-browser

vet: $(WASM_EXEC) $(OPENTOK_JS)
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/...

test-host: $(WASM) $(WASM_EXEC) $(OPENTOK_JS)
	$(GO) test -race -count=1 $(shell $(GO) list ./... | grep -v /e2e)

test-fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzDecodeMessage -fuzztime=$(FUZZTIME) ./server/local
	$(GO) test -run='^$$' -fuzz=FuzzSessionRequest -fuzztime=$(FUZZTIME) ./server/site

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -timeout=60s -exec="$(GOROOT)/lib/wasm/go_js_wasm_exec" ./app/ot/...

test-node:
	node --test static/test/

test-browser: build
	$(GO) test -count=1 -timeout=20m ./e2e/...

## bench: Go benchmarks and browser measurements (5 runs each), printed as one markdown table of medians
BENCHCOUNT ?= 5
bench: build
	$(GO) test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) ./server/local/ > bin/bench-go.txt
	$(GO) test -run='^$$' -bench='^Benchmark[^C]' -benchtime=1x -count=$(BENCHCOUNT) -timeout=40m ./e2e/ > bin/bench-browser.txt
	$(GO) test -run='^$$' -bench='^BenchmarkCapacity$$' -benchtime=1x -count=1 -timeout=20m ./e2e/ | tee bin/bench-capacity.txt
	@$(GO) run ./tools/benchtable -wasm $(WASM) bin/bench-go.txt bin/bench-browser.txt

clean:
	rm -rf bin $(WASM) $(WASM).br $(WASM).gz $(WASM_EXEC) $(OPENTOK_JS) node_modules
