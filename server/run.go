package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"e2eecall/server/csp"
	"e2eecall/server/local"
	"e2eecall/server/ratelog"
	"e2eecall/server/site"
	"e2eecall/server/vonage"
	"e2eecall/static"
	"e2eecall/static/opentok"
	"e2eecall/wasm_exec"
)

// run starts the server and stops it when ctx ends. It writes its address
// and its logs to stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	getenv, err := withDotEnv(getenv, ".env")
	if err != nil {
		return err
	}
	cfg, err := parseConfig(args, getenv, stdout, vonage.DefaultStorePath)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(ratelog.New(slog.NewTextHandler(stdout, nil), logLinesPerSecond, logBurst))

	backend, err := newBackend(cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer backend.close()

	mode, err := csp.ParseMode(cfg.csp, backend.policy)
	if err != nil {
		return err
	}
	handler, err := site.New(site.Config{
		Backend:     backend.joiner,
		BackendName: backend.name,
		Signaling:   backend.signaling,
		CSP:         mode,
		Assets: site.Assets{
			Wasm:    wasm_exec.Files,
			Static:  static.Files,
			OpenTok: opentok.Files,
		},
		Logger:            logger,
		SessionsPerMinute: noLimitAsMinusOne(cfg.sessionsPerMin),
		PublicReports:     cfg.publicReports,
		CSPLab:            cfg.cspLab,
		CSPBase:           backend.policy,
	})
	if err != nil {
		return err
	}
	return serve(ctx, cfg, handler, backend, logger, stdout)
}

// serve listens until ctx ends, then closes the calls and drains requests.
func serve(ctx context.Context, cfg config, handler http.Handler, backend *backend, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	lab := ""
	if cfg.cspLab {
		lab = fmt.Sprintf("; CSP lab at %s://%s/csp", scheme, ln.Addr())
	}
	fmt.Fprintf(stdout, "e2eecall listening on %s://%s (backend %s, csp %s%s)\n", scheme, ln.Addr(), backend.name, cfg.csp, lab)

	errc := make(chan error, 1)
	go func() {
		if cfg.tlsCert != "" {
			errc <- srv.ServeTLS(ln, cfg.tlsCert, cfg.tlsKey)
			return
		}
		errc <- srv.Serve(ln)
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	backend.close() // calls end first: their WebSockets are hijacked, so Shutdown would not wait for them
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// backend is the chosen backend with what the site needs of it.
type backend struct {
	name      string
	joiner    site.Backend
	signaling http.Handler
	policy    csp.Policy
	close     func()
}

// newBackend picks the Vonage backend when credentials are configured and
// the embedded one otherwise; -backend overrides, and never falls back
// silently.
func newBackend(cfg config, getenv func(string) string, logger *slog.Logger) (*backend, error) {
	vcfg, found, err := vonage.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	name := cfg.backend
	if name == "" {
		name = site.BackendLocal
		if found {
			name = site.BackendVonage
		}
	}
	switch name {
	case site.BackendVonage:
		if !found {
			return nil, errors.New("-backend vonage needs credentials: set API_KEY and API_SECRET, or VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH (see .env.example)")
		}
		vcfg.StorePath = cfg.vonageStore
		vcfg.Logger = logger.With("backend", name)
		b, err := vonage.New(vcfg)
		if err != nil {
			return nil, err
		}
		return &backend{name: name, joiner: b, policy: vonage.CSP(csp.Strict()), close: closer(b.Close, logger)}, nil
	case site.BackendLocal:
		if found {
			logger.Info("Vonage credentials are set but -backend local was chosen: calls run on the embedded backend")
		}
		b, err := local.New(local.Config{
			TokenKey:             []byte(cfg.tokenKey),
			UDPPort:              cfg.udpPort,
			AnnounceIPs:          cfg.announceIPs,
			AnnouncePort:         cfg.announcePort,
			MaxRooms:             cfg.maxRooms,
			MaxParticipants:      cfg.maxParticipants,
			MaxSocketsPerAddress: noLimitAsMinusOne(cfg.maxPerAddress),
			ReconnectGrace:       cfg.reconnectGrace,
			Logger:               logger.With("backend", name),
		})
		if err != nil {
			return nil, err
		}
		logger.Info("media on one UDP port", "port", b.MediaPort())
		return &backend{name: name, joiner: b, signaling: b.Signaling(), policy: csp.Strict(), close: closer(b.Close, logger)}, nil
	}
	return nil, fmt.Errorf("-backend %q: want local or vonage", name)
}

// Each kind of log line is written at most logLinesPerSecond times a second
// after a burst, so that no client can flood the log.
const (
	logLinesPerSecond = 10
	logBurst          = 50
)

// noLimitAsMinusOne turns a flag's 0 ("no limit") into the -1 that configs
// take, where 0 means the default.
func noLimitAsMinusOne(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// closer makes a Close safe to call twice (on shutdown and on return).
func closer(closeFn func() error, logger *slog.Logger) func() {
	done := false
	return func() {
		if done {
			return
		}
		done = true
		if err := closeFn(); err != nil {
			logger.Warn("closing the backend", "error", err)
		}
	}
}
