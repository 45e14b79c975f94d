/** A GET with a timeout that answers parsed JSON or text, or throws one clear line (no stack, no body dump). */
export async function getText(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new Error(`${new URL(url).origin} unreachable: ${why}`);
  }
  return { status: res.status, text: await res.text() };
}

export async function getJson<T>(url: string, timeoutMs: number): Promise<{ status: number; body: T | undefined }> {
  const { status, text } = await getText(url, timeoutMs);
  try {
    return { status, body: JSON.parse(text) as T };
  } catch {
    return { status, body: undefined };
  }
}
