"""Online learning (网上学习): courses, online classes (网络专题班), verified completion credited to
the ledger once, and study records imported from external platforms (学习强国, 干部网络学院 …)."""
