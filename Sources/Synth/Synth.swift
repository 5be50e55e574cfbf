/// The synthetic shapes world. See the demo issue.
public enum SynthModule {}
