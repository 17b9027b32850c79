// Command cmd runs `coach bench` on its own, for measuring before the
// subcommand is wired into coach's main: go run ./bench/cmd [flags].
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"coach/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench.Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "coach bench:", err)
		}
		os.Exit(1)
	}
}
