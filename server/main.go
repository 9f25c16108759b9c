// Command e2eecall serves the e2eecall app and hands out its calls: through
// the Vonage Video API when credentials are configured, through the embedded
// backend (signaling and a pion SFU in this process) otherwise.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "e2eecall:", err)
		os.Exit(1)
	}
}
