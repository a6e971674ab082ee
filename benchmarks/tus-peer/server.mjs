// The peer the upload benchmark measures Ortak against: @tus/server with @tus/file-store,
// configured as its README's standalone example, on loopback.
//   node server.mjs PORT DIRECTORY
// Prints "listening" once it accepts connections; SIGTERM stops it.
import { Server } from "@tus/server";
import { FileStore } from "@tus/file-store";

const [port, directory] = process.argv.slice(2);
if (!port || !directory) {
  console.error("usage: node server.mjs PORT DIRECTORY");
  process.exit(2);
}

const server = new Server({ path: "/files", datastore: new FileStore({ directory }) });
const http = server.listen({ host: "127.0.0.1", port: Number(port) }, () => console.log("listening"));
process.on("SIGTERM", () => http.close(() => process.exit(0)));
