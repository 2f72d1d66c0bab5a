import net from 'node:net';

/** A raw TCP connection to 127.0.0.1:port that collects everything the server sends until it closes. */
export async function rawConnection(port: number): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
  return { socket, answer };
}
