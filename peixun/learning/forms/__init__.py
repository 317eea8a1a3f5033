"""Page forms of online learning, one module per side (`staff`: the catalogue and online
classes). They parse and check fields; the rules live in the services."""
