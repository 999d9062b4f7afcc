package io.github.volcanovgpu.contract.region;

/** A file that is not a readable libvgpu region of {@link RegionLayout}'s version; the message names the file. */
public final class RegionFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegionFormatException(String message) {
    super(message);
  }
}
