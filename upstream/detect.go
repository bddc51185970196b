package upstream

import (
	"context"
	"fmt"
	"net/http"

	"lmsproxy/upstream/wire"
)

// versionProbeID is an external id no real client has; it only has to be
// routed, not found.
const versionProbeID = "lmsproxy-version-probe"

// Detect learns the upstream's release line once, before serving, by asking
// for a client through the external-id route that only 1.9+ has: a 1.9+
// upstream answers with its own envelope (found or not), a 1.8 one does not
// know the route. Everything the client does differently from 1.9 on is
// covered by that split, so 1.9 stands for "1.9 or newer". Detect stores
// the result; call it before the client is shared.
func (c *Client) Detect(ctx context.Context) (Version, error) {
	probe := *c // every field, so one added later cannot go missing
	probe.version = V1_9
	var out wire.ClientData
	err := probe.do(ctx, OpGetClient, clients.refURL(&probe, ByExternalID(versionProbeID), nil), nil, &out)
	detected, derr := classifyProbe(err)
	if derr != nil {
		return Version{}, derr
	}
	c.version = detected
	return detected, nil
}

func classifyProbe(err error) (Version, error) {
	if err == nil {
		return V1_9, nil
	}
	e, ok := wire.AsError(err)
	if !ok || e.Status == 0 {
		return Version{}, fmt.Errorf("detecting upstream version: %w", err)
	}
	switch {
	case e.Status == http.StatusNotFound && e.Shape == wire.ShapeEnvelope:
		return V1_9, nil
	case e.Status == http.StatusNotFound:
		return V1_8, nil
	case e.Status == http.StatusForbidden && e.HasCode("error.msg.not.authorized"):
		// The route exists (it checked permissions); the account cannot read
		// clients, which serving will report on its own.
		return V1_9, nil
	}
	return Version{}, fmt.Errorf("detecting upstream version: %w", err)
}
