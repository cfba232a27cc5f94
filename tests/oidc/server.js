// A real OAuth 2.0 server for tokensmith.auth's integration tests: oidc-provider on loopback, HTTPS, with
// the token route moved where Nuvy has it. Test-only; never shipped.
//   node server.js CERT KEY INFO_FILE   -> writes {"url", "pid"} to INFO_FILE once listening
// The client's id and secret come from OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (tests/credentials.yml, through the
// harness): they are written in one place only.
'use strict';

const fs = require('fs');
const https = require('https');
const { Provider } = require('oidc-provider');

const [certFile, keyFile, infoFile] = process.argv.slice(2);
const CLIENT_ID = process.env.OIDC_CLIENT_ID;
const SECRET = process.env.OIDC_CLIENT_SECRET;
if (!CLIENT_ID || !SECRET) {
  process.stderr.write('server.js: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required\n');
  process.exit(2);
}

const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
const sockets = new Set();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `https://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'pipelines.read pipelines.write',
    }],
    scopes: ['pipelines.read', 'pipelines.write', 'admin'],
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
    },
    routes: {
      token: '/nexus/oauth2/token',
      revocation: '/nexus/oauth2/revoke',
      introspection: '/nexus/oauth2/introspect',
    },
  });
  server.on('request', provider.callback());
  fs.writeFileSync(infoFile, JSON.stringify({ url: issuer, pid: process.pid }));
});

function stop() {
  // Close open keep-alive connections too, or stopping takes seconds.
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
