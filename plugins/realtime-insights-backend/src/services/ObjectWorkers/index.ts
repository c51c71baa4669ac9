export { ObjectWorkerPool, startObjectWorker } from './ObjectWorkerPool';
