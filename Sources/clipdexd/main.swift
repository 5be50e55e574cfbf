import Foundation

/// clipdexd: the watch daemon (see the daemon issue). Start-up only for now.
FileHandle.standardError.write(Data("clipdexd: the daemon is not built yet\n".utf8))
exit(1)
