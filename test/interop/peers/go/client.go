// The client role: one socket.io client per command id.
package main

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zishang520/socket.io/clients/engine/v3/transports"
	"github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

var (
	clientsMu sync.Mutex
	clients   = map[string]*socket.Socket{}
)

func transportSet(names []string) *types.Set[transports.TransportCtor] {
	set := types.NewSet[transports.TransportCtor]()
	for _, name := range names {
		switch name {
		case "polling":
			set.Add(transports.Polling)
		case "websocket":
			set.Add(transports.WebSocket)
		}
	}
	return set
}

func connectClient(command Command) {
	opts := socket.DefaultOptions()
	opts.SetForceNew(true)
	opts.SetReconnectionDelay(100)
	opts.SetReconnectionDelayMax(500)
	opts.SetRandomizationFactor(0)
	opts.SetTimeout(15 * time.Second)
	if len(command.Transports) > 0 {
		opts.SetTransports(transportSet(command.Transports))
	}
	if command.Auth != nil {
		opts.SetAuth(command.Auth)
	}
	nsp := command.Nsp
	if nsp == "" {
		nsp = "/"
	}
	client, err := socket.Connect(command.URL+nsp, opts)
	if err != nil {
		reply(command.Req, nil, err)
		return
	}
	id := command.ID
	clientsMu.Lock()
	clients[id] = client
	clientsMu.Unlock()
	var once sync.Once
	client.On("connect", func(...any) {
		out(map[string]any{"ev": "connect", "id": id, "nsp": nsp, "sid": client.Id(),
			"transport": client.Io().Engine().Transport().Name()})
		once.Do(func() { reply(command.Req, []any{client.Id()}, nil) })
	})
	client.On("connect_error", func(errs ...any) {
		data := make([]any, 0, len(errs))
		for _, e := range errs {
			data = append(data, describe(e))
		}
		out(map[string]any{"ev": "connect_error", "id": id, "nsp": nsp, "data": data})
		once.Do(func() { reply(command.Req, nil, fmt.Errorf("connect_error: %v", data)) })
	})
	client.On("disconnect", func(reason ...any) {
		out(map[string]any{"ev": "disconnect", "id": id, "nsp": nsp, "reason": reason[:1]})
	})
	client.OnAny(func(all ...any) {
		if len(all) == 0 {
			return
		}
		name, _ := all[0].(string)
		args, ack := splitAck(all[1:])
		out(map[string]any{"ev": "event", "id": id, "nsp": nsp, "name": name, "args": args})
		if ack != nil {
			answer(name, args, ack)
		}
	})
}

// describe renders a connect_error argument as the test reads it.
func describe(value any) any {
	var extended interface {
		Err() error
	}
	if errors.As(asError(value), &extended) {
		return extended.Err().Error()
	}
	if err, ok := value.(error); ok {
		return err.Error()
	}
	return value
}

func asError(value any) error {
	if err, ok := value.(error); ok {
		return err
	}
	return errors.New(fmt.Sprint(value))
}

func clientCommand(command Command) {
	if command.Op == "connect" {
		connectClient(command)
		return
	}
	clientsMu.Lock()
	client, ok := clients[command.ID]
	clientsMu.Unlock()
	if !ok {
		reply(command.Req, nil, fmt.Errorf("no client %q", command.ID))
		return
	}
	switch command.Op {
	case "emit":
		args := plainArgs(command.Args)
		if command.TimeoutMs == nil {
			reply(command.Req, nil, client.Emit(command.Name, args...))
			return
		}
		client.Timeout(duration(command.TimeoutMs)).EmitWithAck(command.Name, args...)(
			func(response []any, err error) { reply(command.Req, response, err) })
	case "disconnect":
		client.Disconnect()
		reply(command.Req, nil, nil)
	default:
		reply(command.Req, nil, fmt.Errorf("unknown op %q", command.Op))
	}
}

func runClient() {
	ready("client", nil)
	readCommands(clientCommand)
	clientsMu.Lock()
	defer clientsMu.Unlock()
	for _, client := range clients {
		client.Disconnect()
	}
}
