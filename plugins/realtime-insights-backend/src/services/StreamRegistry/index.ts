export { CatalogStreamRegistry } from './CatalogStreamRegistry';
export type { CatalogStreamRegistryOptions } from './CatalogStreamRegistry';
export type {
  InvalidStream,
  StreamRegistry,
  StreamRegistryListing,
} from './types';
