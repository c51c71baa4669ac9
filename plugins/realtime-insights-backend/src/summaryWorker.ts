/**
 * Entry point of the query engine's summary worker threads (the package's
 * `./summaryWorker` export). Only the summariser is loaded here, not the
 * plugin.
 *
 * @packageDocumentation
 */
export { runSummaryWorker } from './services/QueryEngine/summaryWorkerThread';
