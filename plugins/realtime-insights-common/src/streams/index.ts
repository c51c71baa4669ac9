export * from './annotations';
export * from './parseStreamEntity';
