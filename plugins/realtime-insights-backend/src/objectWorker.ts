/**
 * Entry point of the plugin's object worker threads (the package's
 * `./objectWorker` export). Only what reads objects is loaded here, not
 * the plugin.
 *
 * @packageDocumentation
 */
export { runObjectWorker } from './services/ObjectWorkers/objectWorkerThread';
