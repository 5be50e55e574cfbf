/// The SQLite store, the indexing pipeline and search. See the Index issue.
public enum IndexModule {}
