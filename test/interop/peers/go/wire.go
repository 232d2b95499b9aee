// JSON lines between the test and this peer: values with binary as {"$b64": "..."}, commands
// read from stdin, events written to stdout (one JSON object per line, writes serialised).
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"sync"

	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Command is one line of stdin.
type Command struct {
	Op         string         `json:"op"`
	Req        string         `json:"req"`
	ID         string         `json:"id"`
	URL        string         `json:"url"`
	Nsp        string         `json:"nsp"`
	Transports []string       `json:"transports"`
	Auth       map[string]any `json:"auth"`
	Name       string         `json:"name"`
	Args       []any          `json:"args"`
	TimeoutMs  *int64         `json:"timeoutMs"`
	To         string         `json:"to"`
	Sid        string         `json:"sid"`
	Room       string         `json:"room"`
}

var outMu sync.Mutex

// out prints one event line.
func out(fields map[string]any) {
	line, err := json.Marshal(toWire(fields))
	if err != nil {
		line, _ = json.Marshal(map[string]any{"ev": "peer-error", "error": err.Error()})
	}
	outMu.Lock()
	defer outMu.Unlock()
	_, _ = os.Stdout.Write(append(line, '\n'))
}

// reply reports the outcome of a command.
func reply(req string, args []any, err error) {
	if err != nil {
		out(map[string]any{"ev": "reply", "req": req, "ok": false, "error": err.Error()})
		return
	}
	if args == nil {
		args = []any{}
	}
	out(map[string]any{"ev": "reply", "req": req, "ok": true, "args": args})
}

// toWire turns received values into JSON-able ones (binary as {"$b64"}).
func toWire(value any) any {
	switch v := value.(type) {
	case []byte:
		return map[string]any{"$b64": base64.StdEncoding.EncodeToString(v)}
	case types.BufferInterface:
		return map[string]any{"$b64": base64.StdEncoding.EncodeToString(v.Bytes())}
	case map[string]any:
		wired := make(map[string]any, len(v))
		for key, item := range v {
			wired[key] = toWire(item)
		}
		return wired
	case []any:
		wired := make([]any, len(v))
		for i, item := range v {
			wired[i] = toWire(item)
		}
		return wired
	default:
		return v
	}
}

// fromWire turns command values into what the library sends ({"$b64"} as []byte).
func fromWire(value any) any {
	switch v := value.(type) {
	case map[string]any:
		if encoded, ok := v["$b64"].(string); ok && len(v) == 1 {
			decoded, err := base64.StdEncoding.DecodeString(encoded)
			if err == nil {
				return decoded
			}
		}
		plain := make(map[string]any, len(v))
		for key, item := range v {
			plain[key] = fromWire(item)
		}
		return plain
	case []any:
		plain := make([]any, len(v))
		for i, item := range v {
			plain[i] = fromWire(item)
		}
		return plain
	default:
		return v
	}
}

// readCommands calls handle for each stdin line (in its own goroutine) until EOF or "exit".
func readCommands(handle func(Command)) {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		var command Command
		if err := json.Unmarshal(scanner.Bytes(), &command); err != nil {
			out(map[string]any{"ev": "peer-error", "error": err.Error()})
			continue
		}
		if command.Op == "exit" {
			return
		}
		go handle(command)
	}
}
