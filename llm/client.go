package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// DefaultAPIKeyEnv is the environment variable the API key is read from
// unless Config.APIKeyEnv names another.
const DefaultAPIKeyEnv = "OPENAI_API_KEY"

// Config configures a client for one OpenAI-compatible server.
type Config struct {
	// BaseURL is the server's API root, e.g. "http://localhost:8000/v1"
	// (vLLM, SGLang), "http://localhost:11434/v1" (Ollama),
	// "https://api.openai.com/v1".
	BaseURL string
	// Model is the model name sent with every request that names none.
	Model string
	// Profile prepares requests and cleans replies; nil means "generic".
	Profile *Profile
	// APIKeyEnv names the environment variable that holds the API key.
	// Empty means OPENAI_API_KEY, and then a missing variable means no key
	// (local servers); a variable named here explicitly must be set. The
	// key is read once, by New.
	APIKeyEnv string
	// Timeout bounds each HTTP attempt, streaming included (default 10m:
	// reasoning models write for minutes).
	Timeout time.Duration
	// Concurrency is the most requests in flight (default 8). The adaptive
	// limiter starts here, halves on 429/503 and grows back on success.
	Concurrency int
	// Retry is the retry policy; zero fields take defaults.
	Retry RetryPolicy
	// Cache, when set, answers repeated reproducible requests (seeded, or
	// at temperature 0) without HTTP.
	Cache Cache
	// HTTPClient replaces the default client (which keeps Concurrency idle
	// connections per host).
	HTTPClient *http.Client
	// Logger receives retry and cache warnings; nil means slog.Default().
	Logger *slog.Logger
}

// OpenAI is a Client for an OpenAI-compatible server, built on
// github.com/openai/openai-go/v3 with the library's own retries off: the
// retries, backoff and concurrency limit here are rlef's.
type OpenAI struct {
	baseURL string
	model   string
	profile Profile
	key     secret
	timeout time.Duration
	retry   RetryPolicy
	cache   Cache
	limiter *Limiter
	log     *slog.Logger
	chat    openai.ChatCompletionService
	comp    openai.CompletionService
	models  openai.ModelService

	// Hooks for tests.
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func() float64
}

var _ Client = (*OpenAI)(nil)

// New returns a client for cfg.
func New(cfg Config) (*OpenAI, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("llm: no base URL")
	}
	envName := cfg.APIKeyEnv
	if envName == "" {
		envName = DefaultAPIKeyEnv
	}
	key, set := os.LookupEnv(envName)
	if !set && cfg.APIKeyEnv != "" {
		return nil, fmt.Errorf("llm: environment variable %s (API key) is not set", envName)
	}
	c := &OpenAI{
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		model:   cfg.Model,
		key:     secret(strings.TrimSpace(key)),
		timeout: cfg.Timeout,
		retry:   cfg.Retry.withDefaults(),
		cache:   cfg.Cache,
		log:     cfg.Logger,
		now:     time.Now,
		sleep:   sleepCtx,
		jitter:  defaultJitter,
	}
	if cfg.Profile != nil {
		c.profile = *cfg.Profile
	} else {
		c.profile, _ = LookupProfile("generic")
	}
	if c.timeout <= 0 {
		c.timeout = 10 * time.Minute
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	conc := cfg.Concurrency
	if conc <= 0 {
		conc = 8
	}
	c.limiter = NewLimiter(conc)
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = max(tr.MaxIdleConns, 2*conc)
		tr.MaxIdleConnsPerHost = max(conc, 2)
		hc = &http.Client{Transport: tr}
	}
	// Only these options: no environment defaults (OPENAI_BASE_URL,
	// OPENAI_ORG_ID, ...) leak in, and the key comes from envName alone.
	opts := []option.RequestOption{
		option.WithBaseURL(c.baseURL + "/"),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
		option.WithMiddleware(c.statusMiddleware),
	}
	if c.key != "" {
		opts = append(opts, option.WithAPIKey(string(c.key)))
	}
	c.chat = openai.NewChatCompletionService(opts...)
	c.comp = openai.NewCompletionService(opts...)
	c.models = openai.NewModelService(opts...)
	return c, nil
}

// Models lists the models the server serves (GET /v1/models), in one
// attempt under the client's timeout: a preflight check that the server is
// up, the key is accepted and the model exists.
func (c *OpenAI) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	page, err := c.models.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("llm: listing models at %s: %w", c.baseURL, c.key.redactErr(err))
	}
	var names []string
	for _, m := range page.Data {
		names = append(names, m.ID)
	}
	return names, nil
}

// BaseURL returns the server's API root.
func (c *OpenAI) BaseURL() string { return c.baseURL }

// Model returns the default model.
func (c *OpenAI) Model() string { return c.model }

// Profile returns the client's profile.
func (c *OpenAI) Profile() Profile { return c.profile }

// Limiter returns the adaptive concurrency limiter.
func (c *OpenAI) Limiter() *Limiter { return c.limiter }

// Generate prepares r with the client's profile, answers it from the cache
// when it can, and otherwise sends it with retries, waiting for a slot of
// the concurrency limiter before each attempt. Choices come back cleaned
// by the profile (Answer, Reasoning, Truncated). Errors name the endpoint
// and model and wrap *APIError for HTTP statuses.
func (c *OpenAI) Generate(ctx context.Context, r Request) (*Response, error) {
	if r.Model == "" {
		r.Model = c.model
	}
	if r.Model == "" {
		return nil, errors.New("llm: no model given")
	}
	if r.N < 0 {
		return nil, fmt.Errorf("llm: negative n %d", r.N)
	}
	r, err := c.profile.Prepare(r)
	if err != nil {
		return nil, err
	}
	call, err := c.newCall(r)
	if err != nil {
		return nil, err
	}

	var key string
	if c.cache != nil && cacheable(r) {
		if key, err = CacheKey(c.baseURL, r); err != nil {
			return nil, err
		}
		cached, ok, err := c.cache.Get(ctx, key)
		switch {
		case err != nil:
			c.log.WarnContext(ctx, "llm: cache get failed", "err", err)
		case ok:
			cached.Cached, cached.Attempts = true, 0
			c.clean(r.API, cached)
			return cached, nil
		}
	}

	resp, err := c.send(ctx, r, call)
	if err != nil {
		return nil, err
	}
	if key != "" {
		// The answer is paid for: record it even if the caller is being
		// cancelled, or a resumed run would ask (and pay) again.
		if err := c.cache.Put(context.WithoutCancel(ctx), key, resp); err != nil {
			c.log.WarnContext(ctx, "llm: cache put failed", "err", err)
		}
	}
	c.clean(r.API, resp)
	return resp, nil
}

// clean fills Answer, Reasoning and Truncated from the raw choices.
func (c *OpenAI) clean(api API, r *Response) {
	for i := range r.Choices {
		ch := &r.Choices[i]
		ch.Answer, ch.Reasoning, ch.Truncated = c.profile.CleanFor(api, *ch)
	}
}

// call is one request ready to send.
type call func(ctx context.Context) (*Response, error)

func (c *OpenAI) newCall(r Request) (call, error) {
	switch r.API {
	case APIChat:
		p, err := chatParams(r)
		if err != nil {
			return nil, err
		}
		if r.Stream {
			return func(ctx context.Context) (*Response, error) { return c.chatStream(ctx, p) }, nil
		}
		return func(ctx context.Context) (*Response, error) { return c.chatOnce(ctx, p) }, nil
	case APICompletion:
		p := completionParams(r)
		if r.Stream {
			return func(ctx context.Context) (*Response, error) { return c.completionStream(ctx, p) }, nil
		}
		return func(ctx context.Context) (*Response, error) { return c.completionOnce(ctx, p) }, nil
	}
	return nil, fmt.Errorf("llm: unknown API %q", r.API)
}

// send runs attempts until one succeeds, an error is not worth retrying,
// the attempts run out or ctx ends.
func (c *OpenAI) send(ctx context.Context, r Request, do call) (*Response, error) {
	what := fmt.Sprintf("llm: %s %s", r.API, r.Model)
	for attempt := 1; ; attempt++ {
		permit, err := c.limiter.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: waiting for a slot: %w", what, err)
		}
		start := time.Now()
		resp, err := c.attempt(ctx, do)
		latency := time.Since(start)
		permit.Release(outcome(err))
		if err == nil {
			resp.Latency, resp.Attempts = latency, attempt
			return resp, nil
		}
		err = c.key.redactErr(err)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: attempt %d: %w", what, attempt, err)
		}
		if !retryable(err) {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if attempt >= c.retry.MaxAttempts {
			return nil, fmt.Errorf("%s: giving up after %d attempts: %w", what, attempt, err)
		}
		var ra time.Duration
		var ae *APIError
		if errors.As(err, &ae) {
			ra = ae.RetryAfter
		}
		delay, ok := c.retry.backoff(attempt, ra, c.jitter)
		if !ok {
			return nil, fmt.Errorf("%s: server asks to retry after %v (more than %v): %w", what, ra, c.retry.MaxRetryAfter, err)
		}
		c.log.WarnContext(ctx, "llm: retrying", "api", r.API, "model", r.Model,
			"attempt", attempt, "delay", delay, "err", err)
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%s: attempt %d: %w (%w while waiting to retry)", what, attempt, err, serr)
		}
	}
}

// attempt makes one HTTP attempt under the per-attempt timeout.
func (c *OpenAI) attempt(ctx context.Context, do call) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := do(actx)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		return nil, fmt.Errorf("attempt timed out after %v: %w", c.timeout, err)
	}
	return resp, err
}

func outcome(err error) Outcome {
	if err == nil {
		return Success
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Overload() {
		return Overload
	}
	return Failed
}

// statusMiddleware turns an error status into an *APIError with the
// server's message, whatever the body's shape (the library only parses
// OpenAI's own error shape).
func (c *OpenAI) statusMiddleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 400 {
		defer res.Body.Close()
		return nil, newAPIError(res, c.now())
	}
	return res, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// String describes the client without its API key.
func (c *OpenAI) String() string {
	return fmt.Sprintf("llm.OpenAI{base_url=%s model=%s profile=%s}", c.baseURL, c.model, c.profile.Name)
}

// GoString is String: %#v must not print the key either.
func (c *OpenAI) GoString() string { return c.String() }

// LogValue logs the client without its API key.
func (c *OpenAI) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL), slog.String("model", c.model),
		slog.String("profile", c.profile.Name), slog.Bool("api_key", c.key != ""))
}
