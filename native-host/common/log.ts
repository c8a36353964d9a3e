export type Log = (line: string) => void;

export function createLog(out: NodeJS.WritableStream, prefix: string): Log {
  return (line) => {
    out.write(`${new Date().toISOString()} ${prefix} ${line}\n`);
  };
}
