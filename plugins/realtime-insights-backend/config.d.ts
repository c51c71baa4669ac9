export interface Config {
  /** Configuration of the Real-time Insights backend plugin. */
  realtimeInsights?: {
    /**
     * Where the Firehose objects are read from. Leave `endpoint` unset in AWS;
     * locally it points at the S3-compatible server on loopback.
     */
    s3?: {
      /** @visibility backend */
      endpoint?: string;
      /** @visibility backend */
      region?: string;
      /** Path-style addressing, needed by most S3-compatible servers. */
      forcePathStyle?: boolean;
      /** Upper bound of concurrent S3 requests per query. Default 8. */
      maxConcurrency?: number;
      /**
       * Static credentials, for local S3-compatible servers only. In AWS
       * leave them out: the default credential chain (pod identity) is used.
       */
      credentials?: {
        /** @visibility backend */
        accessKeyId: string;
        /** @visibility secret */
        secretAccessKey: string;
      };
    };
    /** The summary cache: Redis when available, else in-process. */
    cache?: {
      /**
       * `auto` uses Redis when it answers at startup and an in-process cache
       * otherwise; `redis` always uses Redis (degraded, not failing, while it
       * is down); `memory` never uses Redis.
       */
      type?: 'auto' | 'redis' | 'memory';
      /** Time to live of cached summaries and listings. Default 86400 (1 day). */
      ttlSeconds?: number;
      redis?: {
        /**
         * redis:// or rediss:// URL; may carry the AUTH password.
         * @visibility secret
         */
        url?: string;
        /** Timeout of one Redis command, ms. Default 250. */
        commandTimeoutMs?: number;
      };
      memory?: {
        /** Max entries of the in-process cache. Default 50000. */
        maxEntries?: number;
      };
    };
    query?: {
      /** Longest range a query may span, in hours. Default 168 (7 days). */
      maxRangeHours?: number;
      /**
       * How long after an event's time it may still arrive. Firehose
       * partitions by arrival time, so this many minutes of later hour
       * prefixes are read too. Default 15.
       */
      latenessMinutes?: number;
      /**
       * Minutes after an hour ends before its listing is treated as final
       * and cached. Default 20 (Firehose buffers up to 15 minutes).
       */
      hourClosesAfterMinutes?: number;
      /** Most buckets one time series may have. Default 1440. */
      maxBuckets?: number;
      /** Largest page of raw records. Default 1000. */
      maxPageSize?: number;
      /** Page size when none is asked for. Default 100. */
      defaultPageSize?: number;
      /** Objects one page of raw records may read before answering. Default 200. */
      maxObjectsPerPage?: number;
    };
    /** What stream entities in the catalog may point at. */
    catalog?: {
      /**
       * Buckets stream entities may name. Set it: without it a team could
       * register a stream over a bucket it does not own.
       * @visibility backend
       */
      allowedBuckets?: string[];
      /**
       * S3 endpoints stream entities may name; none by default (the backend
       * signs requests with its own credentials).
       * @visibility backend
       */
      allowedEndpoints?: string[];
    };
    /** Live updates. */
    live?: {
      /** How often the open hour of each stream is followed, seconds. Default 5. */
      followIntervalSeconds?: number;
    };
  };
}
