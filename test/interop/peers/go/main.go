// github.com/zishang520/socket.io (v3) as an interop test peer of switchyard: `peer client` or
// `peer server PORT` (0 = any free port). Driven by test/interop through JSON lines (wire.go).
//
// Fixed behaviour (the same in every peer): an event received with an ack request is answered
// with the arguments it carried; an event named "slow" is answered after args[0] milliseconds.
// As a server: namespaces "/" and "/auth" (which wants auth {"token": "s3cret"} and refuses
// others with the message "unauthorized"); every other namespace is refused by the library.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/zishang520/socket.io/v3/pkg/version"
)

const (
	impl  = "zishang520/socket.io"
	token = "s3cret"
)

// answer runs the fixed ack behaviour: the event's own arguments, late for "slow".
func answer(event string, args []any, ack func([]any, error)) {
	if event == "slow" && len(args) > 0 {
		if ms, ok := args[0].(float64); ok {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	}
	ack(args, nil)
}

// splitAck separates a trailing ack function from an event's arguments.
func splitAck(args []any) ([]any, func([]any, error)) {
	if len(args) == 0 {
		return args, nil
	}
	if ack, ok := args[len(args)-1].(func([]any, error)); ok {
		return args[:len(args)-1], ack
	}
	return args, nil
}

// plainArgs converts command arguments for the library.
func plainArgs(args []any) []any {
	plain := make([]any, len(args))
	for i, arg := range args {
		plain[i] = fromWire(arg)
	}
	return plain
}

func duration(ms *int64) time.Duration {
	return time.Duration(*ms) * time.Millisecond
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "client" {
		runClient()
		return
	}
	if len(os.Args) > 2 && os.Args[1] == "server" {
		port, err := strconv.Atoi(os.Args[2])
		if err == nil {
			runServer(port)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "usage: peer client | peer server PORT")
	os.Exit(2)
}

func ready(role string, extra map[string]any) {
	fields := map[string]any{"ev": "ready", "impl": impl, "version": version.VERSION, "role": role}
	for key, value := range extra {
		fields[key] = value
	}
	out(fields)
}
