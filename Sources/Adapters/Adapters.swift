/// Video adaptation of a frozen CLIP (Efficient-Prompt). See the adaptation issue.
public enum AdaptersModule {}
