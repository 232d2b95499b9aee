// The CommonJS entry of @switchyard/server: the export is callable, as `require("socket.io")` is
// in the official README. `require("@switchyard/server")(3000, opts)` or `(httpServer, opts)`
// makes a Server; every named export (Server, Namespace, …) is a property of it. It loads the ES
// module itself (require(esm), Node 20.19+), so CommonJS and ESM code share one copy of each class.
"use strict";

const api = require("../dist/index.js");

/** `new Server(srv, opts)`, callable without `new`. */
function switchyard(srv, opts) {
  return new api.Server(srv, opts);
}

for (const name of Object.keys(api)) switchyard[name] = api[name];

module.exports = switchyard;
