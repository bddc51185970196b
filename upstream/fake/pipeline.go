package fake

import "errors"

// commit applies a planned write and returns its success body. Planning
// does every check without touching state, so that maker-checker can run a
// command in full and then not apply it, as the upstream runs the handler
// and rolls its transaction back.
type commit func() obj

// write is one command through the upstream's write pipeline
// (PortfolioCommandSourceWritePlatformServiceImpl.logCommandSource).
type write struct {
	task     string // permission name, e.g. CREATE_CLIENT; also scopes maker-checker and idempotency
	clientID int64  // the existing client, 0 for create
	plan     func() (commit, error)
}

// execute runs a write in the upstream's order: permission (403); on 1.9+ an
// Idempotency-Key already used for the same task replays the stored answer
// (as the command source is found by action, entity and key, not by client);
// then the handler's checks; then maker-checker, which answers 200 without
// applying anything (the upstream runs the handler and rolls it back).
func (s *Server) execute(c *call, w write) result {
	if err := s.permit(w.task); err != nil {
		return s.render(c.r, nil, err)
	}
	key := c.r.Header.Get(idempotencyHeader)
	stored := key != "" && s.opts.Version.HonoursIdempotencyKey()
	if stored {
		if prev, ok := s.idempotent[w.task+"\x00"+key]; ok {
			prev.cached = true
			return prev
		}
	}
	apply, err := w.plan()
	var res result
	switch {
	case errors.Is(err, errHeldForApproval) || (err == nil && s.holds(w.task)):
		res = s.render(c.r, s.hold(w), nil)
	case err != nil:
		res = s.render(c.r, nil, err)
	default:
		s.writes++
		res = s.render(c.r, apply(), nil)
	}
	if stored {
		s.idempotent[w.task+"\x00"+key] = res
	}
	return res
}

// hold stores a command for approval and returns the upstream's answer.
func (s *Server) hold(w write) obj {
	s.commandIDs++
	s.pending = append(s.pending, PendingCommand{ID: s.commandIDs, Task: w.task, ClientID: w.clientID})
	entityID := w.clientID
	if entityID == 0 { // a create: its rolled-back insert used up an auto-increment value
		entityID = s.db.nextID
		s.db.nextID++
	}
	return s.approvalResult(s.commandIDs, entityID, w.clientID == 0)
}

// writeOn runs a write on an existing client: the target is resolved first,
// because the upstream resolves an external id before it checks permission.
func (s *Server) writeOn(c *call, t target, task string, plan func(id int64) (commit, error)) result {
	id, err := s.resolve(t)
	if err != nil {
		return s.render(c.r, nil, err)
	}
	return s.execute(c, write{task: task, clientID: id, plan: func() (commit, error) { return plan(id) }})
}
