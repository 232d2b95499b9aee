// The adapter and recovery contracts, exported by @switchyard/server/testing, on the bus of
// docs/writing-an-adapter.md (examples/tiny-bus): a bus written from the documentation alone.
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { createTinyAdapter, TinyBroker, topicOf } from "../../examples/tiny-bus/tiny-bus.js";

async function tinyBus() {
  const broker = new TinyBroker();
  return {
    adapter: (options = {}) => createTinyAdapter(broker, options),
    inject: (nsp: string, payload: Uint8Array) =>
      broker.publish(topicOf(nsp, { kind: "all" }), payload),
    close: async () => undefined,
  };
}

describeAdapterContract("tiny bus (docs/writing-an-adapter.md)", tinyBus, { io });
describeRecoveryContract("tiny bus (docs/writing-an-adapter.md)", tinyBus, { io });
