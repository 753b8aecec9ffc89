// A mail server and a webhook receiver on this machine, as a hub's notifications meet them: what
// each received, in order. The hub needs webhooks.allowLoopback to post to this plain-http receiver.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { SMTPServer } from 'smtp-server';

export interface Receivers {
  /** The hub's SMTP settings for this mail server. */
  smtp: { url: string; from: string };
  /** `http://127.0.0.1:<port>`: a webhook URL is this and a path. */
  hookBase: string;
  /** Each email's recipients and body (quoted-printable soft line breaks undone: a long line reads whole). */
  mails: { to: string; body: string }[];
  /** Each webhook POST, by path without its leading slash. */
  hooks: { path: string; headers: IncomingHttpHeaders; body: string }[];
  /** Paths the receiver answers 500 on, as a webhook endpoint that is down. */
  refusing: Set<string>;
  close(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const mails: Receivers['mails'] = [];
  const hooks: Receivers['hooks'] = [];
  const refusing = new Set<string>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body: body.replace(/=\r?\n/g, '') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url!.slice(1);
      if (refusing.has(path)) return res.writeHead(500).end();
      hooks.push({ path, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  return {
    smtp: { url: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`, from: 'Coursebridge <cb@example.edu>' },
    hookBase: `http://127.0.0.1:${(hookServer.address() as { port: number }).port}`,
    mails,
    hooks,
    refusing,
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => hookServer.close(() => resolve()));
    },
  };
}
