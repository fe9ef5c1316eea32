// The page's side of the worker: one request at a time per call, answered by a promise.
// cancel() terminates the worker (the only way to stop a running wasm call) and starts a fresh
// one, so the next request works at once.
//
//   const engine = new Engine();
//   const info = await engine.call('schemaInfo', { xsd: null });
//   const out = await engine.call('convert', { bytes, name, options }, { transfer: [bytes], onProgress });

export class CancelledError extends Error {
  constructor() {
    super('Opération annulée.');
    this.name = 'CancelledError';
  }
}

export class Engine {
  constructor(url = new URL('./worker.js', import.meta.url)) {
    this.url = url;
    this.next = 1;
    this.pending = new Map();
    this.start();
  }

  start() {
    this.worker = new Worker(this.url, { type: 'module', name: 'accrochage' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      const message = `Le moteur de conversion n'a pas pu démarrer (${e.message || 'erreur inconnue'}). Rechargez la page ; si cela persiste, utilisez un navigateur récent (Firefox, Chrome, Edge, Safari).`;
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
    };
  }

  receive(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg);
    } else {
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.value);
      else p.reject(new Error(msg.message));
    }
  }

  call(type, payload = {}, { transfer = [], onProgress } = {}) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...payload }, transfer);
    });
  }

  cancel() {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new CancelledError());
    this.pending.clear();
    this.start();
  }
}
