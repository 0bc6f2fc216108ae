package lab

import (
	"context"
	"encoding/json"

	"github.com/rlef/rlef/internal/atomicfile"
)

// finish writes summary.json and the HTML report.
func (l *lab) finish(ctx context.Context) error {
	if err := l.summary.findings(); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(l.summary, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(l.path(fileSummary), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return l.writeReport(ctx)
}
