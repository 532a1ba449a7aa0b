"""Supply chains as graphs: lot genealogy from recorded events, traces backward to the origin
and forward to every recipient, supply-chain partner graphs, trace exports. No Flask here."""
