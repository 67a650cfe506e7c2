/** A consumer of memdb on the module path: it needs nothing but {@code requires dev.memdb}. */
module dev.memdb.example {
  requires dev.memdb;
}
