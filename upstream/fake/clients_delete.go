package fake

import (
	"strconv"

	"lmsproxy/upstream/wire"
)

// remove is DELETE /clients/{id}: only a Pending client may be deleted.
func (s *Server) remove(c *call, t target) result {
	return s.writeOn(c, t, "DELETE_CLIENT", func(id int64) (commit, error) {
		cl, err := s.lookup(id)
		if err != nil {
			return nil, err
		}
		if cl.Status != wire.ClientStatusPending {
			return nil, domainRuleError("error.msg.clients.cannot.be.deleted",
				"Client with identifier "+strconv.FormatInt(id, 10)+" cannot be deleted as it is not in Pending state.", id)
		}
		return func() obj {
			delete(s.db.clients, id)
			return s.commandResult(cl, cl.OfficeID, nil)
		}, nil
	})
}
