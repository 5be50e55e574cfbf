/// Folder watching for the daemon. See the daemon issue.
public enum WatchModule {}
