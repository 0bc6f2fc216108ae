package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
)

// Cache stores responses by request key (see CacheKey). Implementations
// must be safe for concurrent use and must not keep references to the
// Responses they are given or return.
type Cache interface {
	// Get returns the response stored under key; ok is false on a miss.
	Get(ctx context.Context, key string) (r *Response, ok bool, err error)
	// Put stores r under key.
	Put(ctx context.Context, key string, r *Response) error
}

// keyMaterial is everything that decides a response, in a fixed order. It
// never holds the API key.
type keyMaterial struct {
	V           int            `json:"v"` // bump when the key's meaning changes
	BaseURL     string         `json:"base_url"`
	API         API            `json:"api"`
	Model       string         `json:"model"`
	Messages    []keyMessage   `json:"messages"`
	Prompt      string         `json:"prompt"`
	N           int            `json:"n"`
	Seed        *int64         `json:"seed"`
	Temperature *float64       `json:"temperature"`
	TopP        *float64       `json:"top_p"`
	MaxTokens   int            `json:"max_tokens"`
	Stop        []string       `json:"stop"`
	Extra       map[string]any `json:"extra"`
}

type keyMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// CacheKey returns the hex SHA-256 of the canonical JSON of everything in
// a (prepared) request that determines the answer: base URL, API, model,
// messages (role and content), prompt, n, seed, temperature, top_p,
// max_tokens, stop and extra fields. Stream, NoCache and message
// reasoning do not count; neither does the API key. Map keys in Extra are
// sorted by encoding/json, so equal requests give equal keys.
func CacheKey(baseURL string, r Request) (string, error) {
	k := keyMaterial{
		V: 1, BaseURL: baseURL, API: r.API, Model: r.Model, Prompt: r.Prompt,
		N: max(r.N, 1), Seed: r.Seed, Temperature: r.Temperature, TopP: r.TopP,
		MaxTokens: r.MaxTokens, Stop: r.Stop, Extra: r.Extra,
	}
	for _, m := range r.Messages {
		k.Messages = append(k.Messages, keyMessage{Role: m.Role, Content: m.Content})
	}
	b, err := json.Marshal(k)
	if err != nil {
		return "", fmt.Errorf("llm: cache key: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// cacheable reports whether a request's answer may be reused: it must be
// reproducible, i.e. carry a seed or ask for greedy decoding. Caching an
// unseeded sampled request would hand the same "independent" sample to
// every rollout of a problem.
func cacheable(r Request) bool {
	if r.NoCache {
		return false
	}
	return r.Seed != nil || (r.Temperature != nil && *r.Temperature == 0)
}

// MemoryCache is an in-process Cache. The zero value is ready to use.
type MemoryCache struct {
	mu sync.Mutex
	m  map[string]*Response
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, key string) (*Response, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[key]
	if !ok {
		return nil, false, nil
	}
	return r.clone(), true, nil
}

// Put implements Cache.
func (c *MemoryCache) Put(_ context.Context, key string, r *Response) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*Response)
	}
	c.m[key] = r.clone()
	return nil
}

// Len returns the number of stored responses.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
