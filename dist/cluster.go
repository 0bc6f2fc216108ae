package dist

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream objects rlef uses.
const (
	// StreamJobs is the work queue: one message per job, on
	// SubjectJobs.<kind>, removed when a worker acknowledges it.
	StreamJobs  = "RLEF_JOBS"
	SubjectJobs = "rlef.jobs"
	// ConsumerWorkers is the durable pull consumer every worker shares.
	ConsumerWorkers = "rlef-workers"
	// BucketResults holds each job's result under the job's id, created
	// once (a second writer is refused).
	BucketResults = "RLEF_RESULTS"
	// BucketAttempts records the failed attempts of a job.
	BucketAttempts = "RLEF_ATTEMPTS"
	// BucketWorkers holds each live worker's heartbeat.
	BucketWorkers = "RLEF_WORKERS"
	// BucketObjects holds problems (problem/<sha256>) and payloads too
	// large for a message (blob/<sha256>).
	BucketObjects = "RLEF_OBJECTS"
	// SubjectCancel carries the ids of jobs nobody waits for any more
	// (core NATS, best effort).
	SubjectCancel = "rlef.cancel"

	// metaMaxAttempts records Config.MaxAttempts on the consumer.
	metaMaxAttempts = "rlef_max_attempts"
)

// Config shapes the JetStream objects. The first process to create them
// decides; later ones use them as they are.
type Config struct {
	// AckWait is how long a worker may hold a job without a sign of life
	// before it is given to another worker (default 10 s; workers
	// report progress three times per AckWait).
	AckWait time.Duration
	// MaxAttempts is how often a job is tried before an infrastructure
	// failure is its answer (default 3). A worker that dies holding a job
	// counts as a failed attempt.
	MaxAttempts int
	// MaxQueued bounds the jobs waiting in the queue; a job arriving at a
	// full queue is refused at once (ErrBusy), never dropped later
	// (default 1,000,000).
	MaxQueued int64
	// Replicas is the number of copies a clustered NATS keeps of each
	// stream (default 1).
	Replicas int
	// ResultTTL is how long results are kept (default 1 h).
	ResultTTL time.Duration
	// ObjectTTL is how long problems and large payloads are kept (default
	// 24 h; clients upload a problem again when their copy may expire).
	ObjectTTL time.Duration
	// Duplicates is the window in which a job published twice under one
	// id is stored once (default 2 min; the server remembers every id in
	// the window). A job stored twice after it is still answered once.
	Duplicates time.Duration
}

func (c *Config) fill() {
	if c.AckWait <= 0 {
		c.AckWait = 10 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
	if c.MaxQueued <= 0 {
		c.MaxQueued = 1_000_000
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.ResultTTL <= 0 {
		c.ResultTTL = time.Hour
	}
	if c.ObjectTTL <= 0 {
		c.ObjectTTL = 24 * time.Hour
	}
	if c.Duplicates <= 0 {
		c.Duplicates = 2 * time.Minute
	}
}

// Cluster is a connection to rlef's JetStream objects.
type Cluster struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	jobs     jetstream.Stream
	consumer jetstream.Consumer
	results  jetstream.KeyValue
	attempts jetstream.KeyValue
	workers  jetstream.KeyValue
	objects  jetstream.ObjectStore
	// cfg is the configuration in force (read back from the server).
	cfg Config
}

// Open creates rlef's streams, buckets and consumer where they are
// missing and returns handles on them.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Cluster, error) {
	cfg.fill()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	c := &Cluster{nc: nc, js: js, cfg: cfg}
	if err := c.setup(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) setup(ctx context.Context) error {
	cfg := &c.cfg
	var err error
	c.jobs, err = ensureStream(ctx, c.js, jetstream.StreamConfig{
		Name: StreamJobs, Subjects: []string{SubjectJobs + ".>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: cfg.Replicas, MaxMsgs: cfg.MaxQueued,
		Discard: jetstream.DiscardNew, Duplicates: cfg.Duplicates,
		Description: "rlef jobs (program runs and judgings) waiting for a worker",
	})
	if err != nil {
		return err
	}
	c.consumer, err = c.jobs.Consumer(ctx, ConsumerWorkers)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		c.consumer, err = c.jobs.CreateConsumer(ctx, jetstream.ConsumerConfig{
			Durable: ConsumerWorkers, AckPolicy: jetstream.AckExplicitPolicy, AckWait: cfg.AckWait,
			MaxDeliver: -1, MaxAckPending: -1, MaxWaiting: 1 << 16,
			Metadata:    map[string]string{metaMaxAttempts: strconv.Itoa(cfg.MaxAttempts)},
			Description: "rlef workers (attempts are counted by the workers, see dist.Config.MaxAttempts)",
		})
	}
	if err != nil {
		return fmt.Errorf("consumer %s: %w", ConsumerWorkers, err)
	}
	info := c.consumer.CachedInfo().Config
	cfg.AckWait = info.AckWait
	if n, err := strconv.Atoi(info.Metadata[metaMaxAttempts]); err == nil && n > 0 {
		cfg.MaxAttempts = n
	}
	if c.results, err = ensureKV(ctx, c.js, jetstream.KeyValueConfig{Bucket: BucketResults, TTL: cfg.ResultTTL,
		Storage: jetstream.FileStorage, Replicas: cfg.Replicas, Description: "rlef job results, by job id"}); err != nil {
		return err
	}
	if c.attempts, err = ensureKV(ctx, c.js, jetstream.KeyValueConfig{Bucket: BucketAttempts, TTL: cfg.ResultTTL,
		Storage: jetstream.FileStorage, Replicas: cfg.Replicas, Description: "rlef failed job attempts, by job id"}); err != nil {
		return err
	}
	if c.workers, err = ensureKV(ctx, c.js, jetstream.KeyValueConfig{Bucket: BucketWorkers, TTL: heartbeatTTL,
		Storage: jetstream.FileStorage, Replicas: cfg.Replicas, Description: "rlef worker heartbeats"}); err != nil {
		return err
	}
	c.objects, err = c.js.ObjectStore(ctx, BucketObjects)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		c.objects, err = c.js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: BucketObjects, TTL: cfg.ObjectTTL,
			Storage: jetstream.FileStorage, Replicas: cfg.Replicas, Compression: true,
			Description: "rlef problems and large payloads, by content hash"})
	}
	if err != nil {
		return fmt.Errorf("object store %s: %w", BucketObjects, err)
	}
	if st, err := c.objects.Status(ctx); err == nil && st.TTL() > 0 {
		cfg.ObjectTTL = st.TTL()
	}
	return nil
}

func ensureStream(ctx context.Context, js jetstream.JetStream, sc jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, sc.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, sc)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, sc.Name) // another process made it first
		}
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", sc.Name, err)
	}
	return s, nil
}

func ensureKV(ctx context.Context, js jetstream.JetStream, kc jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, kc.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, kc)
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, kc.Bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", kc.Bucket, err)
	}
	return kv, nil
}

// JetStream returns the JetStream handle (for the episode bucket).
func (c *Cluster) JetStream() jetstream.JetStream { return c.js }

// Conn returns the NATS connection.
func (c *Cluster) Conn() *nats.Conn { return c.nc }

// Config returns the configuration in force.
func (c *Cluster) Config() Config { return c.cfg }
