package dist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ClusterStatus is the state `rlef status` shows.
type ClusterStatus struct {
	Workers []WorkerInfo `json:"workers"`
	// Queued jobs wait for a worker; Running are held by one;
	// Redelivered are held again after a worker died or failed;
	// WaitingPulls are idle worker slots asking for work.
	Queued       uint64 `json:"queued"`
	Running      int    `json:"running"`
	Redelivered  int    `json:"redelivered"`
	WaitingPulls int    `json:"waiting_pulls"`
	// Results are results kept (for Config.ResultTTL).
	Results uint64 `json:"results"`
	// Totals over the live workers.
	Slots       int     `json:"slots"`
	Concurrency int     `json:"concurrency"`
	Busy        int     `json:"busy"`
	Rate        float64 `json:"rate"`
	Done        int64   `json:"done"`
	Failed      int64   `json:"failed"`
	Infra       int64   `json:"infra"`
	Duplicates  int64   `json:"duplicates"`
	Config      struct {
		AckWait     time.Duration `json:"ack_wait_ns"`
		MaxAttempts int           `json:"max_attempts"`
	} `json:"config"`
}

// Status reads the cluster's state.
func Status(ctx context.Context, c *Cluster) (*ClusterStatus, error) {
	st := &ClusterStatus{}
	st.Config.AckWait, st.Config.MaxAttempts = c.cfg.AckWait, c.cfg.MaxAttempts
	ci, err := c.consumer.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("consumer: %w", err)
	}
	st.Queued, st.Running, st.Redelivered, st.WaitingPulls = ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.NumWaiting
	if rs, err := c.results.Status(ctx); err == nil {
		st.Results = rs.Values()
	}
	lister, err := c.workers.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	for key := range lister.Keys() {
		e, err := c.workers.Get(ctx, key)
		if err != nil {
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				continue
			}
			return nil, fmt.Errorf("worker %s: %w", key, err)
		}
		var info WorkerInfo
		if json.Unmarshal(e.Value(), &info) != nil {
			continue
		}
		info.Beat = e.Created()
		st.Workers = append(st.Workers, info)
		st.Slots += info.Slots
		st.Concurrency += info.Concurrency
		st.Busy += info.Busy
		st.Rate += info.Rate
		st.Done += info.Done
		st.Failed += info.Failed
		st.Infra += info.Infra
		st.Duplicates += info.Duplicates
	}
	sort.Slice(st.Workers, func(i, j int) bool { return st.Workers[i].ID < st.Workers[j].ID })
	return st, nil
}

// Format prints the status as a table.
func (st *ClusterStatus) Format(w io.Writer, now time.Time) {
	fmt.Fprintf(w, "queue: %d waiting, %d running, %d redelivered; %d idle worker slots asking; %d results kept\n",
		st.Queued, st.Running, st.Redelivered, st.WaitingPulls, st.Results)
	fmt.Fprintf(w, "workers: %d (%d sandbox slots, %d jobs at once, %d busy); %.1f jobs/s over the last minute\n",
		len(st.Workers), st.Slots, st.Concurrency, st.Busy, st.Rate)
	fmt.Fprintf(w, "jobs done: %d; attempts failed (retried elsewhere): %d; infrastructure failures answered: %d; duplicate answers dropped: %d\n",
		st.Done, st.Failed, st.Infra, st.Duplicates)
	fmt.Fprintf(w, "a job held %s without progress goes to another worker; %d failed attempts make an infrastructure failure\n\n",
		st.Config.AckWait, st.Config.MaxAttempts)
	if len(st.Workers) == 0 {
		fmt.Fprintln(w, "no worker is alive (start one with: rlef worker --nats URL)")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKER\tHOST\tSLOTS\tLOAD\tJOBS/S\tDONE\tFAILED\tINFRA\tHEARTBEAT\tSTATE")
	for _, wi := range st.Workers {
		state := "ok"
		if !wi.PausedUntil.IsZero() && wi.PausedUntil.After(now) {
			state = "paused (sandbox failing)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d/%d\t%.1f\t%d\t%d\t%d\t%s ago\t%s\n", wi.ID, wi.Host, wi.Slots, wi.Busy, wi.Concurrency,
			wi.Rate, wi.Done, wi.Failed, wi.Infra, roundAge(now.Sub(wi.Beat)), state)
	}
	tw.Flush()
}

func roundAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Round(100 * time.Millisecond).String()
}
