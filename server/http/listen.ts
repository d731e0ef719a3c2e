import type { Server } from 'node:net';

/** Why a port could not be opened, in words that say what to change. */
function explain(err: NodeJS.ErrnoException, what: string, port: number, host: string, setting: string): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') return new Error(`${what} port ${port} is already in use (${where}): stop what uses it, or set ${setting} to a free port`);
  if (err.code === 'EACCES') return new Error(`${what} port ${port} needs privileges this process lacks (${where}): set ${setting} to 1024 or above`);
  if (err.code === 'EADDRNOTAVAIL') return new Error(`${what} address ${host} is not an address of this machine: set ${setting === 'PORT' ? 'HOST' : 'METRICS_HOST'}`);
  return err;
}

/**
 * Starts `server` listening; a refused port rejects with one plain sentence
 * naming the port and the setting to change (no stack trace for the operator).
 */
export function listen(server: Server, port: number, host: string, names: { what?: string; setting?: string } = {}): Promise<void> {
  const { what = 'HTTP', setting = 'PORT' } = names;
  return new Promise<void>((resolve, reject) => {
    const refused = (err: NodeJS.ErrnoException) => reject(explain(err, what, port, host, setting));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      resolve();
    });
  });
}
