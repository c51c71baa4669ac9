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
      /** Longest wait for a connection to S3, ms (100-60000). Default 3000. */
      connectTimeoutMs?: number;
      /**
       * Longest silence of an S3 request, ms (100-300000): a hung S3 fails
       * the request (the SDK retries it) instead of holding the query.
       * Default 10000.
       */
      requestTimeoutMs?: number;
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
        /**
         * `cluster` for Redis Cluster (ElastiCache with cluster mode
         * enabled): `url` is then the configuration endpoint and the client
         * finds the shards. Default `standalone` (also right for a primary
         * with replicas behind one primary endpoint).
         */
        mode?: 'standalone' | 'cluster';
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
    /**
     * Worker threads that gunzip and read objects — summaries for cold
     * queries, rows for raw reports — so they use every core and the
     * thread serving requests stays free. Read at startup.
     */
    workers?: {
      /** Threads; default one per core, at most 4. 0: none, all in process. */
      threads?: number;
      /**
       * Summarise with the native addon (`@internal/native-summariser`)
       * where it was built; default true. false: always in TypeScript. The
       * summaries are the same byte for byte.
       */
      native?: boolean;
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
    /** Report exports (CSV, NDJSON, XLSX) of a stream's summaries or events. */
    reports?: {
      /**
       * Where finished reports are written: a bucket of their own, reached
       * with the `s3` settings above (endpoint, region, credentials).
       */
      s3?: {
        /** @visibility backend */
        bucket?: string;
        /** Key prefix of report files. Default `reports/`. */
        prefix?: string;
        /**
         * KMS key (id, ARN or alias) report files are encrypted with
         * (SSE-KMS). Unset: the bucket's default encryption.
         * @visibility backend
         */
        kmsKeyId?: string;
      };
      /**
       * Reports reading at most this many bytes of stream objects stream
       * straight to the browser; larger ones run as jobs. Default 67108864
       * (64 MiB).
       */
      directMaxBytes?: number;
      /** Longest range a report may span, in hours. Default 744 (31 days). */
      maxRangeHours?: number;
      /**
       * Days a finished report is kept before it is deleted from S3 and the
       * database. Default 7. Keep it below the bucket's lifecycle expiry.
       */
      retentionDays?: number;
      jobs?: {
        /** How often queued jobs are looked for, seconds. Default 5. */
        pollIntervalSeconds?: number;
        /** Jobs run at the same time. Default 2. */
        concurrency?: number;
        /** Runs of a failing job before it is marked failed. Default 3. */
        maxAttempts?: number;
        /** Seconds before a failed job runs again, times the attempt. Default 30. */
        retryDelaySeconds?: number;
        /** Longest run of one job, minutes. Default 60. */
        timeoutMinutes?: number;
      };
      /** Expiring links to finished reports for people outside the portal. */
      sharing?: {
        /** Default true. */
        enabled?: boolean;
        /** Longest lifetime of a link, hours. Default 168 (7 days). */
        maxLifetimeHours?: number;
        /**
         * HMAC key that signs links (at least 32 characters). Default: a
         * random key kept in the plugin's database.
         * @visibility secret
         */
        secret?: string;
        /**
         * How a shared link's file reaches its recipient. `proxy` (default):
         * streamed through the backend. `presigned` (use it in AWS): each
         * download of a valid link is answered with a redirect to an S3
         * pre-signed GET URL of the file, valid `urlLifetimeSeconds` (default
         * 300, at most 3600) and never past the link's expiry. The link stays
         * the revocable, audited credential; pre-signed URLs cannot be
         * revoked, and with role (IRSA, Pod Identity) credentials they die
         * with the session, so each one is made per download and short.
         */
        download?:
          | { type: 'proxy' }
          | {
              type: 'presigned';
              /** Default 300. */
              urlLifetimeSeconds?: number;
            };
      };
    };
  };
}
