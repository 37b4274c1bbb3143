import { errnoCode, ioError } from "./io-error.js";
import { OPEN_FLAGS, readAllText, sys } from "./sys/index.js";

/**
 * The UTF-8 content of the file at `path`, read without following a symbolic link in its last
 * component. Resolves undefined when it does not exist, is a symbolic link (`ELOOP`), or is not a
 * regular file (a directory, a FIFO: opened non-blocking, so a planted FIFO cannot hang the caller).
 *
 * @throws CniError 5 (`open <path>: ...`, `read <path>: ...`) for any other failure.
 */
export function readRegularFile(path: string): string | undefined {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = OPEN_FLAGS;
  let fd: number;
  try {
    fd = sys.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ELOOP") return undefined;
    throw ioError("open", path, err);
  }
  try {
    const st = sys.fstat(fd);
    if (!st.isFile()) return undefined;
    return readAllText(fd, Number(st.size));
  } catch (err) {
    throw ioError("read", path, err);
  } finally {
    try {
      sys.close(fd);
    } catch {
      // Deliberately ignored: closing a descriptor opened read-only cannot lose data.
    }
  }
}
