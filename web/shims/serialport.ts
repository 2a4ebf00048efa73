/**
 * `serialport` in the page: node-serialport needs Node's native binding. Loading the host's modules
 * (host/transport/serial.ts) works; opening a port through them is refused, naming what the page uses
 * instead: Web Serial (web/web-serial-transport.ts).
 */
const REFUSAL = 'serial devices are opened through Web Serial in the page (web/web-serial-transport.ts), not node-serialport';

export class SerialPort {
  static binding = {
    list: async (): Promise<unknown[]> => [],
    open: async (): Promise<never> => {
      throw new Error(REFUSAL);
    },
  };

  constructor() {
    throw new Error(REFUSAL);
  }
}
