package judge

import (
	"context"

	"github.com/rlef/rlef/sandbox"
)

// Sandbox is what the judge needs from a sandbox: compile a program, run
// it on many inputs, and hold sessions with long-lived processes. A
// *sandbox.Pool is one (see PoolSandbox); tests check the judge's own
// logic (chunking, restarts, retries) against a fake.
type Sandbox interface {
	Slots() int
	MaxLimits() sandbox.Limits
	Compile(ctx context.Context, lang sandbox.Language, source string) (*sandbox.Program, error)
	Batch(ctx context.Context, prog *sandbox.Program, inputs []sandbox.Input, each func(i int, r *sandbox.Result) bool) (int, error)
	StartSession(ctx context.Context, spec sandbox.SessionSpec) (Session, error)
}

// Session is an open sandbox session (see sandbox.Session).
type Session interface {
	Conn(i int) Conn
	Kill()
	Close() (*sandbox.SessionResult, error)
}

// Conn is one process of a session (see sandbox.Conn).
type Conn interface {
	Exchange(ctx context.Context, req []byte, lim sandbox.StepLimits) ([]byte, sandbox.StepResult, error)
}

// PoolSandbox adapts a *sandbox.Pool to Sandbox.
type PoolSandbox struct{ *sandbox.Pool }

// StartSession starts a session on the pool.
func (p PoolSandbox) StartSession(ctx context.Context, spec sandbox.SessionSpec) (Session, error) {
	s, err := p.Pool.StartSession(ctx, spec)
	if err != nil {
		return nil, err
	}
	return poolSession{s}, nil
}

type poolSession struct{ *sandbox.Session }

func (s poolSession) Conn(i int) Conn { return s.Session.Conn(i) }
