package nm

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// Purge deletes every profile pi-netconfig created (client networks and the
// hotspot; an active one is taken down by the deletion), for "uninstall
// --purge". It needs NetworkManager but no WiFi device, and never touches a
// profile without pi-netconfig's marker. opts.Interface is ignored. It
// returns the ids (connection.id) it deleted.
func Purge(ctx context.Context, opts Options) ([]string, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{conn: opts.Conn, log: log.With("component", "nm")}
	if c.conn == nil {
		conn, err := systemBus(ctx)
		if err != nil {
			return nil, fmt.Errorf("purge profiles: %w", err)
		}
		defer conn.Close()
		c.conn = conn
	}
	all, err := c.listConnections(ctx)
	if err != nil {
		return nil, fmt.Errorf("purge profiles: %w", err)
	}
	var deleted []string
	for p, s := range all {
		if !ours(s) {
			continue
		}
		id := vstr(s["connection"], "id")
		if err := c.call(ctx, p, ifaceConn+".Delete", nil); err != nil {
			if n := dbusErrName(err); n != errUnknownObject && n != errUnknownMethod {
				return deleted, fmt.Errorf("purge profile %q: %w", id, err)
			}
		}
		c.log.Info("profile purged", "profile", id)
		deleted = append(deleted, id)
	}
	slices.Sort(deleted)
	return deleted, nil
}
